import { registry } from "@web/core/registry";

const section = (xmlid) => `.o_menu_sections [data-menu-xmlid="${xmlid}"]`;

registry.category("web_tour.tours").add("construction_app_menus", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the Construction app",
            trigger: '.o_app[data-menu-xmlid="construction_sync.construction_menu_root"]',
            run: "click",
        },
        {
            content: "Field Evidence is a section of the app",
            trigger: section("construction_field_evidence.construction_field_evidence_menu"),
        },
        {
            content: "Estimates & Budgets is a section of the app",
            trigger: section("construction_estimate_bridge.construction_estimate_menu"),
        },
        {
            content: "Synchronization is a section of the app",
            trigger: section("construction_sync.construction_sync_menu"),
        },
        {
            content: "Open Configuration",
            trigger: section("construction_sync.construction_configuration_menu"),
            run: "click",
        },
        {
            content: "Open Cost Codes",
            trigger: '.dropdown-item[data-menu-xmlid="construction_sync.construction_cost_code_menu"]',
            run: "click",
        },
        {
            content: "The MasterFormat divisions are listed",
            trigger: '.o_list_view .o_data_cell[name="name"]:contains("Exterior Improvements")',
        },
    ],
});

registry.category("web_tour.tours").add("construction_app_menus_reviewer", {
    url: "/odoo",
    steps: () => [
        {
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            trigger: '.o_app[data-menu-xmlid="construction_sync.construction_menu_root"]',
            run: "click",
        },
        {
            content: "A field reviewer works in Field Evidence",
            trigger: section("construction_field_evidence.construction_field_evidence_menu"),
        },
        {
            content: "and sees neither configuration nor synchronization",
            trigger: `.o_menu_sections:not(:has(${section(
                "construction_sync.construction_configuration_menu"
            )})):not(:has(${section("construction_sync.construction_sync_menu")}))`,
        },
    ],
});
