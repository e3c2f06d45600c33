"""Pages of the checkpoints app, one module per part; each module has its `urlpatterns`."""
