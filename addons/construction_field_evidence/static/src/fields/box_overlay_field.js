import { Component } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * Photos with their bounding boxes drawn over them, read from a JSON field
 * of [{photo_id, name, boxes: [{x, y, width, height, caption}]}]. A box's
 * x, y, width and height are fractions of the photo as displayed, so they
 * are percentages of the image element whatever its rendition or size.
 */
export class BoxOverlayField extends Component {
    static template = "construction_field_evidence.BoxOverlayField";
    static props = {
        ...standardFieldProps,
        limit: { type: Number, optional: true },
        rendition: { type: String, optional: true },
    };

    get photos() {
        const photos = this.props.record.data[this.props.name] || [];
        return this.props.limit ? photos.slice(0, this.props.limit) : photos;
    }

    imageUrl(photo) {
        const rendition = this.props.rendition || "image_preview";
        return `/web/image/construction.photo/${photo.photo_id}/${rendition}`;
    }

    boxStyle(box) {
        const percent = (value) => `${(value * 100).toFixed(3)}%`;
        return [
            `left: ${percent(box.x)}`,
            `top: ${percent(box.y)}`,
            `width: ${percent(box.width)}`,
            `height: ${percent(box.height)}`,
        ].join("; ");
    }
}

export const boxOverlayField = {
    component: BoxOverlayField,
    displayName: "Photos with bounding boxes",
    supportedTypes: ["json"],
    extractProps: ({ options }) => ({
        limit: options.limit,
        rendition: options.rendition,
    }),
};

registry.category("fields").add("construction_box_overlay", boxOverlayField);
