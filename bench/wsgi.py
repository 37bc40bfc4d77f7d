"""WSGI entry point of the benchmark server: the project's application with bench.settings
(the project's URLs plus the constant baseline endpoint). gunicorn bench.wsgi:application"""
import os

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

from config.wsgi import application  # noqa: E402,F401
