import io

from PIL import Image, ImageStat

from ..pavement import KINDS, pavement_photo


def test_the_same_seed_gives_the_same_photo_and_another_seed_another():
    first, boxes = pavement_photo(7, ["pothole"])
    again, boxes_again = pavement_photo(7, ["pothole"])
    other, _ = pavement_photo(8, ["pothole"])
    assert first == again and boxes == boxes_again
    assert first != other


def test_a_photo_is_textured_pavement_not_a_blank_square():
    data, _boxes = pavement_photo(3)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.size == (640, 480)
    stat = ImageStat.Stat(image.convert("L"))
    assert 40 < stat.mean[0] < 140, "asphalt grey"
    assert stat.stddev[0] > 4, "a texture, not one flat colour"


def test_each_defect_has_a_box_around_the_dark_crack_drawn_there():
    for seed, kind in enumerate(KINDS):
        data, boxes = pavement_photo(seed, [kind])
        assert [box["label"] for box in boxes] == [kind]
        box = boxes[0]
        assert 0 <= box["x"] < 1 and 0 <= box["y"] < 1
        assert 0 < box["w"] <= 1 - box["x"] + 1e-6 and 0 < box["h"] <= 1 - box["y"] + 1e-6
        image = Image.open(io.BytesIO(data)).convert("L")
        width, height = image.size
        inside = image.crop(
            (
                int(box["x"] * width),
                int(box["y"] * height),
                int((box["x"] + box["w"]) * width),
                int((box["y"] + box["h"]) * height),
            )
        )
        clean, _ = pavement_photo(seed, [])
        # the darkest pixels of the box are the crack, darker than bare asphalt
        assert min(inside.getdata()) < min(Image.open(io.BytesIO(clean)).convert("L").getdata())
