from . import test_access
from . import test_defect
from . import test_photo
from . import test_share
from . import test_site
from . import test_field_api
from . import test_system_scope
from . import test_field_signature
