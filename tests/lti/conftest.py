import pytest
from lti_tool.models import Key, LtiDeployment, LtiRegistration

from .platform import Platform


@pytest.fixture
def platform(live_server):
    """The LMS simulator, registered with the tool running at live_server (as an admin would)."""
    with Platform(live_server.url) as platform:
        Key.objects.generate()
        registration = LtiRegistration.objects.create(name="Test LMS", **platform.registration)
        LtiDeployment.objects.create(registration=registration, deployment_id=platform.deployment_id, is_active=True)
        yield platform
