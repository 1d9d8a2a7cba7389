import pytest

from api.models import AccessToken


@pytest.fixture
def token(learner):
    return AccessToken.issue(learner, "laptop")[1]


@pytest.fixture
def api(client, token):
    """The test client with the learner's token on every request."""

    class Api:
        headers = {"Authorization": f"Bearer {token}"}

        def get(self, path, **kwargs):
            return client.get(f"/api{path}", headers=self.headers, **kwargs)

        def post(self, path, data, **kwargs):
            return client.post(f"/api{path}", data, content_type="application/json", headers=self.headers, **kwargs)

    return Api()
