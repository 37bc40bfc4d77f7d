"""manage.py rundemo: runserver that prints the demo logins right after the server's address (make run)."""
from django.core.management.commands.runserver import Command as RunserverCommand

from web.management.commands.seed_demo import logins_table


class Command(RunserverCommand):
    help = "Serve the demo (like runserver) and print the demo logins after the server's address."

    def on_bind(self, server_port):
        super().on_bind(server_port)
        self.stdout.write("\n".join(logins_table()) + "\n")
