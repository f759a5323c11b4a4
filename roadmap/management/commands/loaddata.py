from django.core.management.base import CommandError
from django.core.management.commands import loaddata

from roadmap.models import Section


class Command(loaddata.Command):
    """Django's ``loaddata``, refusing fixtures that nest a section inside itself.

    Fixture rows are saved raw, one by one and in any order, so no row can be checked on its
    own; the finished load is checked inside loaddata's transaction, which a refusal rolls back.
    """

    def loaddata(self, fixture_labels) -> None:
        super().loaddata(fixture_labels)
        if Section not in self.models:
            return
        problems = Section.objects.using(self.using).nesting_problems()
        if problems:
            listed = "; ".join(
                f"{section.roadmap_id}/{section.slug}: {problem}" for section, problem in problems
            )
            raise CommandError(f"Nothing was loaded: the fixture nests sections wrongly ({listed})")
