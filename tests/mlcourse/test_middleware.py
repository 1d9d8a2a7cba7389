import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/lti/init/?iss=%00&target_link_uri=x", "/?a%00=1", "/exercises/a%00/"])
def test_it_refuses_a_nul_character_in_the_address(client, path):
    response = client.get(path)
    assert response.status_code == 400 and b"NUL character" in response.content


@pytest.mark.parametrize("path", ["/api/exercises?module=%00", "/api/exercises/sig%00moid"])
def test_it_refuses_it_in_the_apis_own_error_shape(client, path):
    response = client.get(path)
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_request"


def test_it_lets_an_ordinary_query_through(client, course, learner):
    client.force_login(learner)
    response = client.get("/exercises/sigmoid/", {"ref": "newsletter"})
    assert response.status_code == 200 and b"NUL character" not in response.content


def test_it_ignores_a_time_zone_cookie_it_cannot_read(client, course, learner):
    client.force_login(learner)
    client.cookies["tz"] = "../../etc/passwd"
    assert client.get("/progress/").status_code == 200
