class EvidenceError(ValueError):
    """Bad field evidence: ``code`` is stable, ``message`` is for people.

    Codes: not_an_image, unsupported_image_type, type_mismatch, truncated_image, too_many_pixels,
    gps_out_of_range, invalid_geometry, bbox_outside_image, unknown_stage,
    unknown_category, unknown_area.
    """

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message
