"""Pages of the permit app: the organizer's portal and the application page (``portal``), the reviewer queue,
workspace and joint inspection (``review``), and the access-checked downloads (``files``)."""
