import io

from PIL import Image

from ..markup import BOX_COLOUR, Box, draw_boxes, flatten, markup_key
from .images import box_edge_share, make_image

GREY = (128, 128, 128)


def test_the_box_is_drawn_where_the_detection_says():
    box = Box(0.25, 0.2, 0.5, 0.5, "Pothole", 0.91)
    drawn = Image.open(io.BytesIO(draw_boxes(make_image((800, 600), GREY), [box])))
    assert drawn.size == (800, 600)
    share, centre_marked = box_edge_share(drawn, (0.25, 0.2, 0.5, 0.5), BOX_COLOUR)
    assert share == 1.0
    assert not centre_marked
    # Nothing is drawn where no box is: the photo keeps its own colours.
    elsewhere, _ = box_edge_share(drawn, (0.05, 0.75, 0.1, 0.2), BOX_COLOUR)
    assert elsewhere == 0.0


def test_the_label_names_the_category_and_confidence_above_the_box():
    plain = Image.open(
        io.BytesIO(draw_boxes(make_image((800, 600), GREY), [Box(0.25, 0.2, 0.5, 0.5)]))
    )
    labelled = Image.open(
        io.BytesIO(
            draw_boxes(make_image((800, 600), GREY), [Box(0.25, 0.2, 0.5, 0.5, "Pothole", 0.91)])
        )
    )
    # The label is a band of the box colour just above its top edge.
    above = (300, 110)
    assert plain.getpixel(above) != labelled.getpixel(above)
    assert Box(0, 0, 1, 1, "Pothole", 0.91).caption == "Pothole 0.91"
    assert Box(0, 0, 1, 1, "Pothole").caption == "Pothole"


def test_a_box_at_the_image_edges_stays_inside_it():
    drawn = Image.open(
        io.BytesIO(
            draw_boxes(make_image((400, 300), GREY), [Box(0.0, 0.0, 1.0, 1.0, "Crack", 0.5)])
        )
    )
    share, _ = box_edge_share(drawn, (0.0, 0.0, 1.0, 1.0), BOX_COLOUR)
    assert share > 0.9  # the label covers a stretch of the top edge in the same colour


def test_flattened_box_for_tools_without_markup():
    box = Box(0.12, 0.3, 0.25, 0.2, "pothole", 0.91)
    assert flatten(box, 123) == "pothole 0.91, photo #123, box 0.120,0.300,0.250,0.200"
    assert flatten(Box(0.5, 0.5, 0.1, 0.1), 7) == "photo #7, box 0.500,0.500,0.100,0.100"


def test_the_cache_key_follows_the_boxes_and_the_image():
    box = Box(0.1, 0.1, 0.2, 0.2, "pothole", 0.9)
    moved = Box(0.2, 0.1, 0.2, 0.2, "pothole", 0.9)
    assert markup_key("abc", [box]) == markup_key("abc", [box])
    assert markup_key("abc", [box]) != markup_key("abc", [moved])
    assert markup_key("abc", [box]) != markup_key("abd", [box])
    assert markup_key("abc", [box, moved]) == markup_key("abc", [moved, box])
