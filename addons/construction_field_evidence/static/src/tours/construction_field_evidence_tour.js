import { registry } from "@web/core/registry";

const card = (text) => `.o_kanban_record:contains("${text}")`;

registry.category("web_tour.tours").add("construction_review_queue", {
    url: "/odoo/action-construction_field_evidence.construction_defect_review_action",
    steps: () => [
        {
            content: "A detection below its threshold waits with its photo and confidence",
            trigger: `${card("Pothole")}:has(img):has(.o_construction_confidence:contains("0.31"))`,
        },
        {
            content: "The detector's box is drawn over the photo, labelled with category and confidence",
            trigger: `${card("Pothole")} .o_construction_box_photo:has(img) .o_construction_box[style*="left: 25.000%"][style*="width: 50.000%"] .o_construction_box_label:contains("Pothole 0.31")`,
        },
        {
            content: "The list of the queue shows it too",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Open the site's group if the list is grouped",
            trigger: ".o_list_renderer",
            run() {
                const header = document.querySelector(".o_list_renderer .o_group_header");
                if (header) {
                    header.click();
                }
            },
        },
        {
            trigger: '.o_data_row:contains("Pothole") .o_construction_box_photo:has(img) .o_construction_box',
        },
        {
            content: "Back to the cards",
            trigger: ".o_switch_view.o_kanban",
            run: "click",
        },
        {
            content: "Accept it",
            trigger: `${card("Pothole")} .o_construction_accept`,
            run: "click",
        },
        {
            content: "It leaves the queue",
            trigger: `.o_kanban_renderer:not(:has(${card("Pothole")}))`,
        },
        {
            content: "Correct the detection nobody knows",
            trigger: `${card("zebra lines")} .o_construction_correct`,
            run: "click",
        },
        {
            content: "Choose to correct the category",
            trigger: '.modal .o_field_widget[name="decision"] input[data-value="correct"]',
            run: "click",
        },
        {
            content: "Type the right category",
            trigger: '.modal .o_field_widget[name="category_id"] input',
            run: "edit Faded Striping",
        },
        {
            trigger: '.o-autocomplete--dropdown-item:contains("Faded Striping")',
            run: "click",
        },
        {
            content: "Apply",
            trigger: '.modal-footer button[name="action_apply"]',
            run: "click",
        },
        {
            content: "The queue is empty",
            trigger: `.o_kanban_renderer:not(:has(${card("zebra lines")}))`,
        },
    ],
});

registry.category("web_tour.tours").add("construction_share_page", {
    steps: () => [
        {
            content: "The client sees the site",
            trigger: '.o_construction_share_title:contains("Lakeside Lot")',
        },
        {
            content: "The site plan shows the defect",
            trigger: "svg.o_construction_site_plan circle",
        },
        {
            content: "The before photo has loaded",
            trigger: 'td[data-stage="before"] img.o_construction_shared_photo',
            run() {
                const image = document.querySelector(
                    'td[data-stage="before"] img.o_construction_shared_photo'
                );
                if (!image.complete || !image.naturalWidth) {
                    throw new Error("The before photo did not load");
                }
            },
        },
        {
            content: "The after photo is there too",
            trigger: 'td[data-stage="after"] img.o_construction_shared_photo',
        },
        {
            content: "The client approves the scope shown",
            trigger: ".o_construction_share_answer input#answer_approved",
            run: "click",
        },
        {
            content: "and gives a name",
            trigger: ".o_construction_share_answer input#client_name",
            run: "edit Dana Reyes",
        },
        {
            content: "and a note",
            trigger: ".o_construction_share_answer textarea#message",
            run: "edit Go ahead with the patching.",
        },
        {
            content: "Send",
            trigger: ".o_construction_answer_send",
            run: "click",
        },
        {
            content: "The answer is thanked for",
            trigger: ".o_construction_answer_thanks",
        },
    ],
});

registry.category("web_tour.tours").add("construction_photo_review_and_site", {
    url: "/odoo/action-construction_field_evidence.construction_photo_review_action",
    steps: () => [
        {
            content: "The photo waiting for review shows its thumbnail",
            trigger: '.o_kanban_record:contains("Lakeside Lot") img',
        },
        {
            content: "Accept it",
            trigger: '.o_kanban_record:contains("Lakeside Lot") .o_construction_accept',
            run: "click",
        },
        {
            content: "Nothing is left to review",
            trigger: ".o_view_nocontent",
        },
        {
            content: "Open the Field Evidence menu",
            trigger:
                '.o_menu_sections [data-menu-xmlid="construction_field_evidence.construction_field_evidence_menu"]',
            run: "click",
        },
        {
            content: "Open Sites",
            trigger: '.dropdown-item[data-menu-xmlid="construction_field_evidence.construction_site_menu"]',
            run: "click",
        },
        {
            content: "Open the site",
            trigger: '.o_data_row .o_data_cell[name="name"]:contains("Lakeside Lot")',
            run: "click",
        },
        {
            content: "The site plan draws the boundary and the defect",
            trigger: ".o_form_view svg.o_construction_site_plan:has(path):has(circle)",
        },
        {
            content: "Open the photos of the site",
            trigger: '.o_notebook a.nav-link[name="photos"]',
            run: "click",
        },
        {
            content: "The accepted photo is there",
            trigger: '.o_field_widget[name="photo_ids"] .o_kanban_record img',
        },
        {
            content: "Share the site with the client",
            trigger: 'button[name="action_share"]',
            run: "click",
        },
        {
            content: "The link is shown, ready to copy",
            trigger: '.modal .o_field_widget[name="url"]:contains("/construction/share/")',
        },
    ],
});
