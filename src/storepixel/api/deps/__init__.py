"""FastAPI dependencies shared by the routers."""
