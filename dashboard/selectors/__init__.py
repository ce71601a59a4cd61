"""Reads of the leaders' dashboard, scoped to the user (or to a screen token's territory): the responsibility
matrix (``matrix``) and the risk now (``risk``)."""
