from roadmap.models import Progress


class LearnerStatistics(Progress):
    """The admin's "Learner statistics" page: an entry in the admin index, never a list of rows.

    A proxy (no table of its own) so the admin gives it a place, a link and a URL;
    insights/admin.py replaces every view of it with the aggregated figures.
    """

    class Meta:
        proxy = True
        verbose_name = "learner statistics"
        verbose_name_plural = "learner statistics"
