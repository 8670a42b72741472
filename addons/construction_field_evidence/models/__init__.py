from . import construction_site
from . import construction_photo_stage
from . import construction_photo_tag
from . import construction_defect_category
from . import construction_photo
from . import construction_defect
from . import construction_defect_annotation
from . import construction_share_link
