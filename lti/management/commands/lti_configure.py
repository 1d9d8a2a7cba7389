from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from jwcrypto.jwk import JWK
from lti_tool.models import Key, LtiDeployment, LtiRegistration

REQUIRED = ("name", "issuer", "client_id", "auth_url", "token_url", "keyset_url")


class Command(BaseCommand):
    help = (
        "Configure the LTI tool from the environment: the signing key from LTI_PRIVATE_KEY_FILE (or a new one "
        "if the tool has none) and the LMS registrations listed in LTI_PLATFORMS_FILE (YAML, docs/lti.md). "
        "Idempotent; prints the URLs to give the LMS. Registrations can also be made in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", default="https://YOUR-HOST", help="the tool's public address, for the URLs printed"
        )

    @transaction.atomic
    def handle(self, *args, base_url, **options):
        self._key()
        if settings.LTI_PLATFORMS_FILE:
            for entry in self._platforms(Path(settings.LTI_PLATFORMS_FILE)):
                self._register(entry)
        base = base_url.rstrip("/")
        self.stdout.write("Give the LMS these URLs (docs/lti.md):")
        for label, name in (("Login initiation", "lti:init"), ("Launch / redirect", "lti:launch"), ("Deep Linking", "lti:launch"),
                            ("Public keyset (JWKS)", "lti:jwks"), ("Canvas JSON configuration", "lti:canvas_config")):  # fmt: skip
            self.stdout.write(f"  {label:<28} {base}{reverse(name)}")

    def _key(self) -> None:
        if settings.LTI_PRIVATE_KEY_FILE:
            path = Path(settings.LTI_PRIVATE_KEY_FILE)
            try:
                jwk = JWK.from_pem(path.read_bytes())
            except (OSError, ValueError, TypeError) as exc:
                raise CommandError(f"LTI_PRIVATE_KEY_FILE={path}: not a readable PEM private key ({exc}).") from None
            if not jwk.has_private:
                raise CommandError(f"LTI_PRIVATE_KEY_FILE={path} holds a public key; the tool needs its private key.")
            public = jwk.export_to_pem().decode()
            key = Key.objects.filter(public_key=public).first()
            if key is None:
                Key.objects.create_from_jwk(jwk)
                self.stdout.write(f"Signing key loaded from {path}.")
            elif key != Key.objects.active().latest():
                # The tool signs with the newest active key: make it the one the environment names.
                Key.objects.filter(pk=key.pk).update(is_active=True, datetime_created=timezone.now())
                self.stdout.write(f"Signing with the key from {path} again.")
        elif not Key.objects.active().exists():
            Key.objects.generate()
            self.stdout.write("Made a signing key (manage.py rotate_keys makes a new one).")

    def _platforms(self, path: Path) -> list[dict]:
        try:
            entries = yaml.safe_load(path.read_text()) or []
        except (OSError, yaml.YAMLError) as exc:
            raise CommandError(f"LTI_PLATFORMS_FILE={path}: {exc}") from None
        if not isinstance(entries, list):
            raise CommandError(f"{path}: expected a list of platforms.")
        for number, entry in enumerate(entries, 1):
            missing = [field for field in REQUIRED if not isinstance(entry, dict) or not entry.get(field)]
            if missing:
                raise CommandError(f"{path}: platform {number} lacks {', '.join(missing)}.")
        return entries

    def _register(self, entry: dict) -> None:
        registration, created = LtiRegistration.objects.update_or_create(
            issuer=entry["issuer"],
            client_id=str(entry["client_id"]),
            defaults={field: str(entry[field]) for field in ("name", "auth_url", "token_url", "keyset_url")}
            | {"audience": str(entry.get("audience") or ""), "is_active": bool(entry.get("active", True))},
        )
        for deployment_id in entry.get("deployments") or []:
            LtiDeployment.objects.update_or_create(
                registration=registration, deployment_id=str(deployment_id), defaults={"is_active": True}
            )
        verb = "Registered" if created else "Updated"
        self.stdout.write(
            f"{verb} {registration.name}: login initiation /lti/init/{registration.uuid}/ (or /lti/init/ with client_id)"
        )
