import { registry } from "@web/core/registry";

/**
 * One tour per role, each walking that role's day through the demo data
 * installed with the modules, checking what the role must see on the way.
 * Every step waits for what it checks, so a slow machine only takes longer.
 */
const card = (text) => `.o_kanban_record:contains("${text}")`;
// The demo's CrewClock event naming a worker Odoo does not know: what it says.
const openUnknownWorker = [
    {
        content: "Open the one that names an unknown worker",
        trigger: ".o_list_view .o_data_cell:contains(crewclock-tc-5103)",
        run: "click",
    },
    {
        content: "It says what to do",
        trigger: ".o_form_view .o_construction_review_hint:contains(Bind the system's id)",
    },
];
// A busy machine may take longer than a tour's 10 s per step to answer.
const patient = (steps) => steps.map((step) => ({ timeout: 60000, ...step }));
const stat = (name) => `.o_construction_project_section .o_construction_stat_${name}`;

registry.category("web_tour.tours").add("construction_role_field_reviewer", {
    url: "/odoo/action-construction_field_evidence.construction_defect_review_action",
    steps: () =>
        patient([
        {
            content: "The AI's detection waits with its photo and the detector's box",
            trigger: `${card("Trip Hazard")}:has(.o_construction_box_photo img):has(.o_construction_box .o_construction_box_label)`,
        },
        {
            content: "The card says how sure the detector was, why it waits and what to do",
            trigger: `${card("Trip Hazard")}:has(.o_construction_confidence:contains("0.55")):contains("below the Trip Hazard threshold"):has(.o_construction_review_help)`,
        },
        {
            content: "A detection no category knows says so, and that no photo came with it",
            trigger: `${card("oil stain")}:contains("Unknown"):has(.o_construction_no_photo)`,
        },
        {
            content: "Take the first card with the keyboard",
            trigger: card("Trip Hazard"),
            run() {
                this.anchor.focus();
            },
        },
        {
            content: "A accepts the focused card",
            trigger: `${card("Trip Hazard")}:focus`,
            run: "press a",
        },
        {
            content: "The accepted detection leaves the queue",
            trigger: `.o_kanban_renderer:not(:has(${card("Trip Hazard")}))`,
        },
        {
            content: "The next card takes the focus: R rejects it",
            trigger: `${card("oil stain")}:focus`,
            run: "press r",
        },
        {
            content: "The decision opens set to rejecting, asking why",
            trigger: '.modal .o_field_widget[name="decision"] input[data-value="reject"]:checked',
        },
        {
            trigger: '.modal .o_field_widget[name="reason"] textarea',
            run: "edit Not a defect: oil from a parked car",
        },
        {
            trigger: '.modal-footer button[name="action_apply"]',
            run: "click",
        },
        {
            content: "The queue is empty and says what would fill it",
            trigger: '.o_view_nocontent:contains("The review queue is empty")',
        },
        ]),
});

registry.category("web_tour.tours").add("construction_role_estimator", {
    url: "/odoo/action-construction_estimate_bridge.construction_estimate_action",
    steps: () =>
        patient([
        {
            content: "Open the demo estimate",
            trigger: ".o_list_view .o_data_cell:contains(Riverside Plaza parking lot resurfacing)",
            run: "click",
        },
        {
            content: "Its lines carry cost codes",
            trigger: ".o_form_view .o_field_widget[name=line_ids] .o_data_cell:contains(32 12 16 Asphalt Paving)",
        },
        {
            content: "Open its budget",
            trigger: ".o_form_view button[name=action_open_budget]",
            run: "click",
        },
        {
            content: "The budget form shows its five figures as a chart",
            trigger: ".o_form_view .o_construction_budget_chart .o_dashboard_graph canvas",
        },
        {
            content: "and one line per cost code",
            trigger: ".o_form_view .o_field_widget[name=line_ids] .o_data_row:contains(32 17 23 Pavement Markings)",
        },
        ]),
});

registry.category("web_tour.tours").add("construction_role_project_controller", {
    // Started on the project's form (the test opens it by id).
    steps: () =>
        patient([
        {
            content: "The Construction section counts the project's estimate",
            trigger: `${stat("estimates")}:contains("1")`,
        },
        {
            content: "its budget",
            trigger: `${stat("budget")}:not(:contains("none yet"))`,
        },
        {
            content: "shown as a chart of original, revised, committed, actual and forecast",
            trigger: ".o_construction_budget_chart .o_dashboard_graph canvas",
        },
        {
            content: "its purchase orders",
            trigger: stat("purchase_orders"),
        },
        {
            content: "and warns of the sync events waiting for a person",
            trigger: `${stat("events")}:contains("2 to review")`,
            run: "click",
        },
        {
            content: "The project's events to review",
            trigger: ".o_list_view .o_data_row:contains(crewclock-tc-5090)",
        },
        ...openUnknownWorker,
        {
            content: "and opens where to do it",
            trigger: ".o_form_view .o_construction_review_hint button[name=action_open_fix]:contains(Open Bindings)",
            run: "click",
        },
        {
            content: "The system's bindings, where the worker's id is to be bound",
            trigger: ".o_list_view .o_data_cell:contains(RP-2207)",
        },
        ]),
});

registry.category("web_tour.tours").add("construction_role_sync_manager", {
    url: "/odoo/action-construction_sync.construction_sync_monitor_action",
    steps: () =>
        patient([
        {
            content: "Each system's card draws throughput, latency and failures over two weeks",
            trigger: `${card("CrewClock Timekeeping")}:has(.o_construction_graph_throughput canvas):has(.o_construction_graph_latency canvas):has(.o_construction_graph_failures canvas)`,
        },
        {
            content: "A system with nothing to review says so",
            trigger: `${card("FieldCam Photo App")} .badge:contains("Nothing to review")`,
        },
        {
            content: "One click to what needs a person",
            trigger: `${card("CrewClock Timekeeping")} .o_construction_attention:contains("2 to review")`,
            run: "click",
        },
        {
            content: "The events of that system waiting for a person",
            trigger: ".o_list_view .o_data_row:contains(crewclock-tc-5103)",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(crewclock-tc-5090)",
        },
        ...openUnknownWorker,
        {
            content: "and opens where to do it",
            trigger: ".o_form_view .o_construction_review_hint button[name=action_open_value_maps]",
            run: "click",
        },
        {
            content: "The value maps that translate this system's values",
            trigger: ".o_list_view .o_data_row:contains(LF)",
        },
        ]),
});
