"""`manage.py check` warnings for isolation layers the grading sandbox cannot use here.

Grading still works without them (each layer is used when the host allows it); the warning
says which protection is missing and why, and grader/README.md says how to enable it.
"""

from django.core import checks

from . import sandbox

HINTS = {
    "namespaces": "Run the worker as root, or allow unprivileged user namespaces "
    "(sysctl kernel.unprivileged_userns_clone=1; in docker-compose: security_opt seccomp=unconfined "
    "or a profile allowing unshare, and no AppArmor profile blocking it).",
    "user-namespace": "Allow user namespaces (sysctl user.max_user_namespaces > 0); without them the "
    "namespaces are entered as root and the run then drops to its own uid.",
    "uid": "Run the grading worker as root (in docker-compose: user: root) so each run gets an "
    "unprivileged uid of its own.",
    "seccomp": "Install libseccomp2 (apt-get install libseccomp2) and the pyseccomp package.",
    "cgroups": "Run the grading worker as root with a writable cgroup filesystem (in docker-compose: user: root "
    "and cap_add SYS_ADMIN); without it, memory and process limits hold per process only, not per run.",
}


@checks.register(checks.Tags.security)
def check_sandbox_layers(app_configs=None, **kwargs):
    try:
        report = sandbox.isolation()
    except sandbox.SandboxUnavailable as exc:
        return [checks.Error(f"The grading sandbox cannot start: {exc}", id="grader.E001")]
    return [
        checks.Warning(
            f"Grading sandbox: the '{name}' isolation layer is not active here.",
            hint=f"{report['missing'].get(name, 'unavailable')}. {HINTS.get(name, '')}".strip(),
            id="grader.W001",
        )
        for name, active in report["layers"].items()
        if not active
    ]
