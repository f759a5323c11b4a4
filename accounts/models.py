from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserQuerySet(models.QuerySet):
    def select_for_update(self, *args, of=(), **kwargs) -> "UserQuerySet":
        # Users come with their goal (a LEFT JOIN, see UserManager.get_queryset), and
        # PostgreSQL cannot lock the nullable side of an outer join: lock the users' rows.
        return super().select_for_update(*args, of=of or ("self",), **kwargs)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    """Users sign in with their email address; there is no username."""

    use_in_migrations = True

    def get_queryset(self):
        # The learner's weekly goal (goals/) comes with them in the same query, the one that
        # loads the signed-in user on every request: pages that show it (the roadmap page's
        # panel) cost learners without a goal no query. Only where the relation exists (not
        # in the historical models of migrations that run before goals' own).
        queryset = super().get_queryset()
        if any(relation.name == "goal" for relation in self.model._meta.related_objects):
            queryset = queryset.select_related("goal")
        return queryset

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField("email address", unique=True)
    # The learner's own settings (the "Settings" page under My progress).
    time_zone = models.CharField(
        max_length=64, default="UTC", help_text=_("Streaks and days are counted in this time zone.")
    )
    count_skipped_as_done = models.BooleanField(
        default=False, help_text=_("Count skipped resources as done in progress figures.")
    )
    # The interface language chosen in settings (one of settings.LANGUAGES); blank follows the
    # browser. Emails sent to the learner use it too.
    language = models.CharField(max_length=16, blank=True, default="")
    # Bumped whenever the learner joins or leaves a study group or says whether a resource was
    # worth their time (groups/signs.py): the roadmap page keys its per-process copy of those by
    # it, so the copy is exact in every process and a learner with none costs no query.
    groups_version = models.PositiveIntegerField(default=0, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email
