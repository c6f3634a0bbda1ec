from taizhang.checkins.tests.conftest import checkin  # noqa: F401 - shared fixture
