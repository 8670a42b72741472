from . import test_companycam_webhook
from . import test_companycam_pull
from . import test_companycam_system
from . import test_companycam_site_areas
