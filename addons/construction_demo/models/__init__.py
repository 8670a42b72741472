from . import construction_demo_story
