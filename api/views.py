"""The profile page: personal access tokens for the API and the `mlcourse` client."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from .access import access_token_for
from .forms import TokenForm
from .models import AccessToken

NEW_SECRET = "api_new_token_secret"


@login_required
@require_GET
def profile(request):
    context = {
        "tokens": AccessToken.objects.of(request.user),
        "form": TokenForm(),
        # Shown once, on the page right after the token was made, then gone from the session.
        "new_secret": request.session.pop(NEW_SECRET, None),
        "api_url": request.build_absolute_uri("/"),
    }
    return render(request, "api/profile.html", context)


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A token needs a name, such as “laptop notebook”.")
        return redirect("profile")
    try:
        token, secret = AccessToken.issue(request.user, form.cleaned_data["name"])
    except AccessToken.TooMany as exc:
        messages.error(request, str(exc))
        return redirect("profile")
    request.session[NEW_SECRET] = secret
    messages.success(request, f"Made the token “{token.name}”. Copy it now: it is not shown again.")
    return redirect("profile")


@login_required
@require_POST
def token_revoke(request, pk):
    token = access_token_for(request.user, pk)
    token.revoke()
    messages.info(request, f"Revoked “{token.name}”: it no longer works.")
    return redirect("profile")
