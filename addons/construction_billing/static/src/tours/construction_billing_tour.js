import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("construction_billing_progress_screen", {
    url: "/odoo/action-construction_billing.construction_billing_progress_action",
    steps: () => [
        {
            content: "Report a period's progress on a schedule line",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Choose the schedule line",
            trigger: ".o_selected_row .o_field_widget[name=sale_line_id] input",
            run: "edit Tour Paving",
        },
        {
            trigger: ".ui-autocomplete .dropdown-item:contains(Tour Paving)",
            run: "click",
        },
        {
            content: "Work completed this period, as a percent of the scheduled value",
            trigger: ".o_selected_row .o_field_widget[name=percent] input",
            run: "edit 25",
        },
        {
            content: "Save",
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "Valued on the scheduled value, the progress waits for a controller's approval",
            trigger: ".o_data_row:not(.o_selected_row):has(td[name=amount]:contains(250.00)) td[name=state]:contains(Proposed)",
        },
    ],
});

registry.category("web_tour.tours").add("construction_billing_pay_application", {
    url: "/odoo/action-construction_billing.construction_pay_application_action",
    steps: () => [
        {
            content: "Open the pay application the project manager prepared",
            trigger: ".o_list_view .o_data_cell:contains(Tour Owner)",
            run: "click",
        },
        {
            content: "The summary shows the payment due",
            trigger: ".o_form_view .o_field_widget[name=current_payment_due]:contains(225.00)",
        },
        {
            content: "The continuation sheet lists the schedule line",
            trigger: ".o_form_view .o_notebook a:contains(Continuation Sheet)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=line_ids] tr:has(td:contains(Tour Paving)):contains(250.00)",
        },
        {
            content: "Certify it and send it to the client",
            trigger: ".o_form_view button[name=action_certify]",
            run: "click",
        },
        {
            content: "Sent: it cannot be certified twice",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name=action_certify]))",
        },
    ],
});
