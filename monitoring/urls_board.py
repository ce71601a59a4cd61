"""The live monitoring pages (board, zone page, phone view) and the exercises, included by ``monitoring.urls``
under the ``monitoring`` namespace."""

from __future__ import annotations

from django.urls import path

from monitoring import views_board

urlpatterns = [
    path("", views_board.board_page, name="board"),
    path("board/tiles/", views_board.board_tiles, name="board_tiles"),
    path("board/shapes/", views_board.board_shapes, name="board_shapes"),
    path("zones/<int:pk>/", views_board.zone_detail, name="zone_page"),
    path("zones/<int:pk>/state/", views_board.zone_state, name="zone_state"),
    path("zones/<int:pk>/chart/", views_board.zone_chart, name="zone_chart"),
    path("field/", views_board.field_list, name="field"),
    path("field/<int:pk>/", views_board.field_zone, name="field_zone"),
]
