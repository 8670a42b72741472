import { registry } from "@web/core/registry";

// From a detection waiting in the review queue to a confirmed purchase
// order. The test counts the steps that click, and times the whole.
const section = (xmlid) => `.o_menu_sections [data-menu-xmlid="${xmlid}"]`;
const item = (xmlid) => `.dropdown-item[data-menu-xmlid="${xmlid}"]`;
const card = '.o_kanban_record:contains("Tour Harbor North")';
const budgetForm = ".o_form_view:has(.o_field_widget[name=project_account_id])";

registry.category("web_tour.tours").add("construction_review_to_purchase", {
    url: "/odoo/action-construction_field_evidence.construction_defect_review_action",
    steps: () => [
        {
            content: "Review the detection: a pothole below its threshold, accept it",
            trigger: `${card}:has(.o_construction_confidence:contains("0.31")) .o_construction_accept`,
            run: "click",
        },
        {
            content: "It leaves the queue",
            trigger: `.o_kanban_renderer:not(:has(${card}))`,
        },
        {
            content: "Go to the sites",
            trigger: section("construction_field_evidence.construction_field_evidence_menu"),
            run: "click",
        },
        {
            trigger: item("construction_field_evidence.construction_site_menu"),
            run: "click",
        },
        {
            content: "Open the site",
            trigger: '.o_list_view .o_data_row .o_data_cell:contains("Tour Harbor North")',
            run: "click",
        },
        {
            content: "Price its confirmed defects",
            trigger: ".o_form_view .o_cp_action_menus .dropdown-toggle",
            run: "click",
        },
        {
            trigger: '.o-dropdown--menu .dropdown-item:contains("Price Defects")',
            run: "click",
        },
        {
            content: "The project's draft estimate is already chosen: price the defect",
            trigger: ".modal footer button[name=action_price]",
            run: "click",
        },
        {
            content: "The estimate holds the priced repair, with its vendor",
            trigger: '.o_form_view .o_field_widget[name=line_ids] .o_data_row:contains("Pothole repair"):contains("Tour Paving Supply")',
        },
        {
            content: "Award the estimate: its budget is made, approved by the company's rule",
            trigger: ".o_form_view .o_form_statusbar button[name=action_award]",
            run: "click",
        },
        {
            content: "Request quotations for the budget",
            trigger: `${budgetForm} .o_form_statusbar button[name=action_request_quotations]`,
            run: "click",
        },
        {
            content: "The wizard proposes the priced quantity",
            trigger: '.modal .o_field_widget[name=line_ids] .o_data_row:contains("Pothole repair")',
        },
        {
            trigger: ".modal footer button[name=action_create_rfqs]",
            run: "click",
        },
        {
            content: "Confirm the request for quotation",
            trigger: ".o_form_view .o_form_statusbar button[name=button_confirm]",
            run: "click",
        },
        {
            content: "It is a purchase order",
            trigger: '.o_form_statusbar .o_arrow_button_current:contains("Purchase Order")',
        },
    ],
});
