from api.models import AccessToken
from tests.conftest import make_user


def test_it_makes_a_token_and_shows_its_secret_once(learner_client, learner):
    response = learner_client.post("/profile/tokens/", {"name": "laptop"}, follow=True)
    secret = response.context["new_secret"]
    assert secret.startswith("mlc_") and secret in response.content.decode()
    assert AccessToken.authenticate(secret).user == learner
    assert secret not in learner_client.get("/profile/").content.decode()


def test_it_revokes_a_token(learner_client, learner):
    token, secret = AccessToken.issue(learner, "old")
    learner_client.post(f"/profile/tokens/{token.pk}/revoke/")
    assert AccessToken.authenticate(secret) is None
    assert "revoked" in learner_client.get("/profile/").content.decode()


def test_it_does_not_let_anyone_revoke_someone_elses_token(learner_client):
    theirs, secret = AccessToken.issue(make_user("mallory"), "theirs")
    assert learner_client.post(f"/profile/tokens/{theirs.pk}/revoke/").status_code == 404
    assert AccessToken.authenticate(secret) is not None


def test_it_asks_for_a_name(learner_client):
    response = learner_client.post("/profile/tokens/", {"name": ""}, follow=True)
    assert "needs a name" in response.content.decode() and not AccessToken.objects.exists()


def test_the_profile_page_needs_a_login(client):
    assert client.get("/profile/").status_code == 302
