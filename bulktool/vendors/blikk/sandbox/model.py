"""What each stored resource holds: which keys point at other records, and its timestamp names.

Public resources are the names accepted by ``SandboxServer.edit``/``records``; the private
lookup tables (departments, statuses, units, ...) exist only so references resolve.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bulktool.sandbox.store import Record

ADMIN_LISTS = (
    "contact-tags",
    "articles",
    "activities",
    "time-codes",
    "countries",
    "absence-projects",
    "internal-projects",
    "company-cars",
    "equipments",
    "allowances",
    "time-articles",
    "time-additions",
)
PUBLIC = ("contacts", "projects", "tasks", "time-reports", "users", "task-boards", *ADMIN_LISTS)
APP_USER_ID = 1  # the API application acts as this user
OTHER_USER_ID = 2  # the "colleague" whose edits a rehearsal should detect


@dataclass(frozen=True)
class Meta:
    refs: dict[str, str] = field(default_factory=dict)  # key -> target resource (stored as id)
    ref_lists: dict[str, str] = field(default_factory=dict)  # key -> target resource (list of ids)
    addresses: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)  # write name -> read name
    created: str | None = None
    created_by: str | None = None
    updated: str | None = None
    updated_by: str | None = None


_ADMIN = Meta(
    refs={"createdBy": "users", "updatedBy": "users"},
    created="created",
    created_by="createdBy",
    updated="updated",
    updated_by="updatedBy",
)

META: dict[str, Meta] = {
    "contacts": Meta(
        refs={
            "company": "contacts",
            "parentCompany": "contacts",
            "responsible": "users",
            "createdBy": "users",
            "lastUpdatedBy": "users",
        },
        ref_lists={"tags": "contact-tags"},
        addresses=("visitingAddress", "deliveryAddress", "invoiceAddress"),
        aliases={
            "companyId": "company",
            "parentCompanyId": "parentCompany",
            "responsibleId": "responsible",
            "tagIds": "tags",
        },
        created="created",
        created_by="createdBy",
        updated="lastUpdated",
        updated_by="lastUpdatedBy",
    ),
    "projects": Meta(
        refs={
            "status": "project-statuses",
            "projectManager": "users",
            "customer": "contacts",
            "projectCollection": "project-collections",
            "createdBy": "users",
            "updatedBy": "users",
        },
        aliases={
            "statusId": "status",
            "projectManagerId": "projectManager",
            "customerId": "customer",
            "projectCollectionId": "projectCollection",
        },
        created="created",
        created_by="createdBy",
        updated="updated",
        updated_by="updatedBy",
    ),
    "tasks": Meta(
        refs={"boardColumn": "task-board-columns", "project": "projects", "createdByUser": "users"},
        ref_lists={"tags": "task-tags", "members": "users"},
        aliases={
            "taskBoardColumnId": "boardColumn",
            "projectId": "project",
            "tagIds": "tags",
            "memberIds": "members",
        },
        created="createdDate",
        created_by="createdByUser",
        updated="updatedDate",
    ),
    "task-boards": Meta(
        refs={"project": "projects", "createdByUser": "users", "updatedByUser": "users"},
        ref_lists={"tags": "task-tags", "members": "users"},
        created="createdDate",
        created_by="createdByUser",
        updated="updatedDate",
        updated_by="updatedByUser",
    ),
    "task-comments": Meta(
        refs={"task": "tasks", "createdByUser": "users", "updatedByUser": "users"},
        created="createdDate",
        created_by="createdByUser",
        updated="updatedDate",
        updated_by="updatedByUser",
    ),
    "time-reports": Meta(
        refs={
            "user": "users",
            "project": "projects",
            "internalProject": "internal-projects",
            "absenceProject": "absence-projects",
            "activity": "activities",
            "timeCode": "time-codes",
            "timeArticle": "time-articles",
            "costCenter": "cost-centers",
            "task": "tasks",
            "attestedByUser": "users",
        },
        aliases={
            "userId": "user",
            "projectId": "project",
            "internalProjectId": "internalProject",
            "absenceProjectId": "absenceProject",
            "activityId": "activity",
            "timeCodeId": "timeCode",
            "timeArticleId": "timeArticle",
            "taskId": "task",
        },
        created="createdDate",
        updated="updatedDate",
    ),
    "users": Meta(
        refs={
            "timeReportingProfile": "time-reporting-profiles",
            "department": "departments",
            "costCenter": "cost-centers",
            "manager": "users",
            "standardTimeArticle": "time-articles",
            "standardActivity": "activities",
            "createdBy": "users",
            "updatedBy": "users",
        },
        addresses=("address",),
        created="createdDate",
        created_by="createdBy",
        updated="updatedDate",
        updated_by="updatedBy",
    ),
    "contact-tags": Meta(created="createdDate", updated="updatedDate"),
    "countries": Meta(),
    "activities": Meta(
        refs={**_ADMIN.refs, "preferredTimeCode": "time-codes", "preferredTimeArticle": "time-articles"},
        created="created",
        created_by="createdBy",
        updated="updated",
        updated_by="updatedBy",
    ),
    "articles": Meta(
        refs={**_ADMIN.refs, "unit": "units"},
        created="created",
        created_by="createdBy",
        updated="updated",
        updated_by="updatedBy",
    ),
    "equipments": Meta(
        refs={**_ADMIN.refs, "type": "equipment-types"},
        created="created",
        created_by="createdBy",
        updated="updated",
        updated_by="updatedBy",
    ),
    **{
        name: _ADMIN
        for name in (
            "absence-projects",
            "internal-projects",
            "company-cars",
            "allowances",
            "time-articles",
            "time-additions",
            "time-codes",
        )
    },
}


def display_name(resource: str, rec: Record) -> str | None:
    """The 'name' shown when another record refers to this one."""
    if resource == "users":
        return f"{rec.get('firstName') or ''} {rec.get('lastName') or ''}".strip()
    if resource in ("projects", "tasks"):
        return rec.get("title")  # type: ignore[no-any-return]
    if resource in ("contact-tags", "task-tags"):
        return rec.get("title")  # type: ignore[no-any-return]
    return rec.get("name")  # type: ignore[no-any-return]
