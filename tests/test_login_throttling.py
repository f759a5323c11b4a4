import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


def login(client, password: str, email: str = "alice@example.com"):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_failed_logins_for_one_email_are_refused_with_429_even_with_the_right_password(alice, anon):
    for _ in range(5):
        response = login(anon, "wrong password")
        assert response.status_code == 200
        assert "not correct" in response.content.decode()
    response = login(anon, "wrong password")
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()
    response = login(anon, PASSWORD)
    assert response.status_code == 429
    assert not anon.get("/").context["user"].is_authenticated


def test_the_limit_is_kept_in_the_shared_cache_not_in_process_memory(settings):
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend in {
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.redis.RedisCache",
    }


def test_the_admin_login_goes_through_allauth(anon):
    response = anon.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
