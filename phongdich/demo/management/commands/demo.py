import time

from django.core.management.base import BaseCommand

from phongdich.demo.services import DEMO_PASSWORD, build_demo, demo_exists, describe_logins


class Command(BaseCommand):
    help = "Build the demo province (Thanh Hóa, 2021 structure) with synthetic people and users."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=0.01,
            help="share of the real population to generate (1 = 3.64 million)",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--reset", action="store_true", help="delete people and rebuild")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing when the demo already exists (for make run)",
        )

    def handle(self, *args, scale, seed, reset, if_missing, **options):
        if if_missing and demo_exists() and not reset:
            self.stdout.write("demo already loaded (use --reset to rebuild)")
        else:
            started = time.perf_counter()
            build_demo(seed=seed, scale=scale, reset=reset, log=self.stdout.write)
            self.stdout.write(f"demo built in {time.perf_counter() - started:.1f} s")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, place in describe_logins():
            self.stdout.write(f"  {username:<14} {role:<34} {place}")
