"""The Blikk API as a sandbox app: routes, writes, seeds, renderers and list specs (see ``app``)."""
