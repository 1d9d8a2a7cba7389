"""Who may see what in this app (the course's own objects: exercises/access.py)."""

from django.shortcuts import get_object_or_404

from .models import AccessToken


def access_token_for(user, pk: int) -> AccessToken:
    """A token of the user's own; anyone else's is a 404."""
    return get_object_or_404(AccessToken.objects.of(user), pk=pk)
