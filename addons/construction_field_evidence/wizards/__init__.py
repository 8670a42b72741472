from . import construction_review_wizard
