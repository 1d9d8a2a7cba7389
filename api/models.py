"""Personal access tokens for the REST API and the learner's client.

The secret is shown once, when it is made; only its SHA-256 digest is stored. A 256-bit
random secret needs no slow password hash: nobody can guess it, and a leaked digest does
not give it back.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class AccessTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def of(self, user):
        return self.filter(user=user)


class AccessToken(models.Model):
    PREFIX = "mlc_"
    MAX_ACTIVE_PER_USER = 20
    # Writing "last used" on every request would turn each read into a write.
    LAST_USED_RESOLUTION = timedelta(minutes=1)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False)  # the secret's first characters, to tell tokens apart
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.hint}…) of {self.user}"

    class TooMany(Exception):
        pass

    @classmethod
    def issue(cls, user, name: str) -> tuple[AccessToken, str]:
        """A new token and its secret, which is never stored and cannot be shown again."""
        if cls.objects.of(user).active().count() >= cls.MAX_ACTIVE_PER_USER:
            raise cls.TooMany(f"You have {cls.MAX_ACTIVE_PER_USER} active tokens; revoke one first.")
        secret = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name.strip()[:100], digest=digest_of(secret), hint=secret[:8])
        return token, secret

    @classmethod
    def authenticate(cls, secret: str) -> AccessToken | None:
        """The active token with this secret, of an active user; None for anything else."""
        if not secret.startswith(cls.PREFIX) or len(secret) > 200:
            return None
        token = (
            cls.objects.active().select_related("user").filter(digest=digest_of(secret), user__is_active=True).first()
        )
        if token is not None:
            now = timezone.now()
            if token.last_used_at is None or token.last_used_at < now - cls.LAST_USED_RESOLUTION:
                cls.objects.filter(pk=token.pk).update(last_used_at=now)
                token.last_used_at = now
        return token

    def revoke(self) -> None:
        AccessToken.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.refresh_from_db(fields=["revoked_at"])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
