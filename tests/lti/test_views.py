import requests

from lti.models import CourseLink, Placement
from tests.conftest import make_user


def test_it_refuses_deep_linking_to_learners(platform):
    refused = platform.deep_link_request(requests.Session(), "student")
    assert refused.status_code == 403 and "instructors" in refused.text


def test_it_refuses_a_launch_it_cannot_verify(platform, live_server):
    browser = requests.Session()
    forged = browser.post(f"{live_server.url}/lti/launch/", data={"id_token": "a.b.c", "state": "state-x"})
    assert forged.status_code == 400 and "could not be accepted" in forged.text


def test_it_refuses_an_oversized_state_before_it_reaches_the_cache(client):
    forged = client.post("/lti/launch/", {"id_token": "a.b.c", "state": "x" * 5000})
    assert forged.status_code == 400 and "malformed" in forged.content.decode()


def test_it_refuses_a_login_from_an_unregistered_lms(client, db):
    response = client.get(
        "/lti/init/", {"iss": "https://lms.example", "login_hint": "1", "target_link_uri": "https://x/"}
    )
    assert response.status_code == 400 and "not registered" in response.content.decode()


def test_it_refuses_a_deep_link_pick_without_a_signed_launch(platform, live_server):
    response = requests.post(
        f"{live_server.url}/lti/deep-link/", data={"launch": "forged", "target": "exercise:sigmoid"}
    )
    assert response.status_code == 400 and "expired" in response.text


def test_it_opens_the_course_for_a_link_to_nowhere(platform, course, live_server):
    from .platform import Link

    link = Link("link-x", "Old link", f"{live_server.url}/lti/launch/", {"mlcourse_target": "exercise:gone"}, None)
    opened = platform.open_link(requests.Session(), "student", link)
    assert opened.url == f"{live_server.url}/" and "does not point at anything" in opened.text
    assert not Placement.objects.exists()


def test_it_shows_an_lms_course_to_its_instructors_only(platform, course, client, live_server):
    from .platform import Link

    link = Link("link-1", "Sigmoid", f"{live_server.url}/lti/launch/", {"mlcourse_target": "exercise:sigmoid"}, None)
    teacher = requests.Session()
    platform.open_link(teacher, "teacher", link)
    course_link = CourseLink.objects.get()
    page = teacher.get(f"{live_server.url}{course_link.get_absolute_url()}")
    assert page.status_code == 200 and "Math for ML, spring" in page.text and "Sigmoid" in page.text
    client.force_login(make_user("stranger", instructor=True))
    assert client.get(course_link.get_absolute_url()).status_code == 404


def test_it_describes_itself_for_canvas(client):
    config = client.get("/lti/config/canvas.json").json()
    assert config["oidc_initiation_url"].endswith("/lti/init/") and config["public_jwk_url"].endswith("/lti/jwks.json")
    assert any(p["message_type"] == "LtiDeepLinkingRequest" for p in config["extensions"][0]["settings"]["placements"])


def test_it_publishes_its_keys(platform, live_server):
    keys = requests.get(f"{live_server.url}/lti/jwks.json").json()["keys"]
    assert keys and all(key["kty"] == "RSA" and "d" not in key for key in keys)
