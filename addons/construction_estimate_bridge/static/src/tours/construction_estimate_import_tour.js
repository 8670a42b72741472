import { registry } from "@web/core/registry";

const csv = [
    "line_id,description,cost_code,quantity,unit,unit_cost",
    "T1,Asphalt overlay,32 12 16,100,t,90",
    "T2,Striping,32 17 23,-50,ft,0.5",
    "T3,Mystery work,99 99 99,1,t,1",
].join("\n");

registry.category("web_tour.tours").add("construction_estimate_import_preview", {
    url: "/odoo/action-construction_estimate_bridge.construction_estimate_import_wizard_action",
    steps: () => [
        {
            content: "Upload the estimate exported by the estimating platform",
            trigger: ".modal .o_field_widget[name=file] input[type=file]:not(:visible)",
            async run() {
                const file = new File([csv], "bid.csv", { type: "text/csv" });
                const transfer = new DataTransfer();
                transfer.items.add(file);
                this.anchor.files = transfer.files;
                this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "The format is found from the file name",
            trigger: ".modal .o_field_widget[name=file_format] select:has(option:selected:contains(CSV))",
        },
        {
            content: "Choose the project",
            trigger: ".modal .o_field_widget[name=project_id] input",
            run: "edit Tour Parking Lot",
        },
        {
            trigger: ".ui-autocomplete .dropdown-item:contains(Tour Parking Lot)",
            run: "click",
        },
        {
            content: "Preview the file before anything is written",
            trigger: ".modal footer button[name=action_preview]",
            run: "click",
        },
        {
            content: "The negative quantity is shown with its row and column",
            trigger: ".modal .o_field_widget[name=issue_ids] tr:has(td[name=row]:contains(3)):has(td[name=column]:contains(quantity)):contains(negative)",
        },
        {
            content: "The unknown cost code is shown with its row and column",
            trigger: ".modal .o_field_widget[name=issue_ids] tr:has(td[name=row]:contains(4)):has(td[name=column]:contains(cost_code)):contains(unknown cost code)",
        },
        {
            content: "The preview says nothing will be written, and offers no Import button",
            trigger: ".modal .alert-danger:contains(Nothing will be written)",
        },
        {
            trigger: ".modal footer:not(:has(button[name=action_import]))",
        },
        {
            content: "Lines are counted",
            trigger: ".modal .o_field_widget[name=line_count]:contains(3)",
        },
    ],
});

registry.category("web_tour.tours").add("construction_budget_screens", {
    url: "/odoo/action-construction_estimate_bridge.construction_estimate_action",
    steps: () => [
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
            content: "The budget has one line per cost code",
            trigger: ".o_form_view .o_field_widget[name=line_ids] .o_data_row:contains(32 17 23 Pavement Markings)",
        },
        {
            content: "Open the analysis of its lines",
            trigger: ".o_form_view button[name=action_open_lines]",
            run: "click",
        },
        {
            content: "Switch to the pivot view",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "Cost codes are the rows",
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains(32 12 16 Asphalt Paving)",
        },
    ],
});
