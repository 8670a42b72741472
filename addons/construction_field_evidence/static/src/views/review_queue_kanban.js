import { onMounted, onPatched } from "@odoo/owl";
import { useHotkey } from "@web/core/hotkeys/hotkey_hook";
import { registry } from "@web/core/registry";
import { KanbanRenderer } from "@web/views/kanban/kanban_renderer";
import { kanbanView } from "@web/views/kanban/kanban_view";

const CARD = ".o_kanban_record:not(.o_kanban_ghost)";

/**
 * The review queue by keyboard: Odoo's kanban already moves between cards
 * with the arrow keys and opens one with Enter; here A accepts the focused
 * card, C corrects its category and R rejects it. Once the decided card has
 * left the queue, the card now in its place takes the focus, so a reviewer
 * works through the queue without the mouse.
 */
export class ReviewQueueKanbanRenderer extends KanbanRenderer {
    setup() {
        super.setup();
        this.decided = null;
        const options = { area: () => this.rootRef.el };
        useHotkey("a", ({ area }) => this.decide(area, ".o_construction_accept"), options);
        useHotkey("c", ({ area }) => this.decide(area, ".o_construction_correct"), options);
        useHotkey("r", ({ area }) => this.decide(area, ".o_construction_reject"), options);
        onMounted(() => this.focusCard(0));
        onPatched(() => {
            if (this.decided && !this.cardOf(this.decided.id)) {
                const { index } = this.decided;
                this.decided = null;
                this.focusCard(index);
            }
        });
    }

    get cards() {
        return [...this.rootRef.el.querySelectorAll(CARD)];
    }

    cardOf(id) {
        return this.rootRef.el.querySelector(`${CARD} [data-construction-id="${id}"]`);
    }

    focusCard(index) {
        const cards = this.cards;
        if (cards.length) {
            cards[Math.min(index, cards.length - 1)].focus();
        }
    }

    decide(area, selector) {
        const card = document.activeElement && document.activeElement.closest(CARD);
        const button = card && area.contains(card) && card.querySelector(selector);
        if (!button) {
            return;
        }
        const marker = card.querySelector("[data-construction-id]");
        this.decided = {
            id: marker && marker.dataset.constructionId,
            index: this.cards.indexOf(card),
        };
        button.click();
    }
}

registry.category("views").add("construction_review_kanban", {
    ...kanbanView,
    Renderer: ReviewQueueKanbanRenderer,
});
