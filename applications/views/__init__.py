"""Views of the web interface, one module per area; each is thin and calls the services."""
