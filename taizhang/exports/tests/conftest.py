"""The assessment sheet is tested on the assessment tests' data."""

from taizhang.assessment.tests.conftest import q3, running  # noqa: F401 - fixtures
from taizhang.assessment.tests.views_support import scored_fixture  # noqa: F401 - fixture
