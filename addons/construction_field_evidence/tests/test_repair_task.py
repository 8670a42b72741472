from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form

from .common import IN_NORTH, IN_SOUTH, NORTH_HALF, SOUTH_HALF, FieldEvidenceCase, boundary


class TestRepairTask(FieldEvidenceCase):
    """Confirmed defects become repair tasks on the site's project, one per
    defect or one per area; a task is done, and a defect verified, only
    with the after photo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls.env["project.project"].create({"name": "Lakeside Repairs"})
        cls.site.project_id = cls.project
        Area = cls.env["construction.site.area"]
        cls.south = Area.create(
            {"name": "South Bay", "site_id": cls.site.id, "outline_geojson": boundary(SOUTH_HALF)}
        )
        cls.north = Area.create(
            {"name": "North Bay", "site_id": cls.site.id, "outline_geojson": boundary(NORTH_HALF)}
        )
        cls.reviewer = cls.users["reviewer"]

    def confirmed(self, position, **vals):
        defect = self.Defect.create(
            dict(
                {
                    "site_id": self.site.id,
                    "category_id": self.pothole.id,
                    "source": "crew",
                    "latitude": position[0],
                    "longitude": position[1],
                    "quantity": 2.0,
                    "uom_id": self.square_meter.id,
                },
                **vals,
            )
        )
        defect.with_user(self.reviewer).action_confirm()
        return defect

    def close(self, task):
        task.with_user(self.reviewer).write({"state": "1_done"})

    def test_one_task_per_defect_linked_both_ways(self):
        self.assertEqual(self.env.company.construction_repair_task_grouping, "defect")
        first, second = self.confirmed(IN_SOUTH), self.confirmed(IN_SOUTH)
        tasks = (first | second).with_user(self.reviewer).action_create_repair_tasks()
        self.assertEqual(len(tasks), 2)
        self.assertEqual(first.task_id.construction_defect_ids, first)
        self.assertEqual(second.task_id.construction_defect_ids, second)
        self.assertEqual(tasks.project_id, self.project)
        self.assertIn(first.name, first.task_id.name)
        self.assertIn("South Bay", first.task_id.name)
        self.assertEqual(first.task_id.construction_defect_count, 1)
        action = first.task_id.action_open_construction_defects()
        self.assertEqual(self.Defect.search(action["domain"]), first)
        # already has its task: asked again, nothing new
        self.assertFalse(first.with_user(self.reviewer).action_create_repair_tasks())

    def test_one_task_per_area_when_the_office_chooses_it(self):
        settings = Form(self.env["res.config.settings"])
        settings.construction_repair_task_grouping = "area"
        settings.save().execute()
        self.assertEqual(self.env.company.construction_repair_task_grouping, "area")
        south_a, south_b = self.confirmed(IN_SOUTH), self.confirmed(IN_SOUTH)
        north = self.confirmed(IN_NORTH)
        tasks = (south_a | south_b | north).with_user(self.reviewer).action_create_repair_tasks()
        self.assertEqual(len(tasks), 2)
        self.assertEqual(south_a.task_id, south_b.task_id)
        self.assertEqual(south_a.task_id.construction_defect_ids, south_a | south_b)
        self.assertIn("South Bay", south_a.task_id.name)
        self.assertEqual(north.task_id.construction_defect_ids, north)
        # a defect confirmed later in the same area joins its open task
        late = self.confirmed(IN_SOUTH)
        late.with_user(self.reviewer).action_create_repair_tasks()
        self.assertEqual(late.task_id, south_a.task_id)
        # once that task is done (a pothole's repair shows before and after),
        # the next one gets a new task
        for defect in south_a | south_b | late:
            defect.photo_ids = [
                (4, self.accepted_photo(stage).id) for stage in self.before | self.after
            ]
        self.close(south_a.task_id)
        later = self.confirmed(IN_SOUTH)
        later.with_user(self.reviewer).action_create_repair_tasks()
        self.assertNotEqual(later.task_id, south_a.task_id)

    def test_scheduling_a_defect_gives_it_its_repair_task(self):
        defect = self.confirmed(IN_NORTH)
        defect.with_user(self.reviewer).action_estimate()
        defect.with_user(self.reviewer).action_schedule()
        self.assertEqual(defect.state, "scheduled")
        self.assertEqual(defect.task_id.project_id, self.project)

    def test_only_confirmed_defects_of_a_sites_project_get_a_task(self):
        new = self.Defect.create({"site_id": self.site.id, "category_id": self.pothole.id})
        with self.assertRaises(UserError) as caught:
            new.with_user(self.reviewer).action_create_repair_tasks()
        self.assertIn("only a confirmed defect", str(caught.exception))
        elsewhere = self.Site.create({"name": "No project yet"})
        orphan = self.confirmed((41.95, -87.7), site_id=elsewhere.id)
        with self.assertRaises(UserError) as caught:
            orphan.with_user(self.reviewer).action_create_repair_tasks()
        self.assertIn("Set the project of site No project yet", str(caught.exception))

    def test_the_task_is_done_only_with_each_defects_after_photo(self):
        settings = Form(self.env["res.config.settings"])
        settings.construction_repair_task_grouping = "area"
        settings.save().execute()
        first = self.confirmed(IN_SOUTH, photo_ids=[(6, 0, self.accepted_photo(self.before).ids)])
        second = self.confirmed(IN_SOUTH, photo_ids=[(6, 0, self.accepted_photo(self.before).ids)])
        task = (first | second).with_user(self.reviewer).action_create_repair_tasks()
        first.photo_ids = [(4, self.accepted_photo(self.after).id)]
        with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
            self.close(task)
        message = str(caught.exception)
        self.assertIn(f"{second.name} needs After", message)
        self.assertNotIn(f"{first.name} needs", message)
        self.assertNotEqual(task.state, "1_done")
        # a rejected after photo does not count
        rejected = self.accepted_photo(self.after)
        rejected.action_reject("Another lot")
        second.photo_ids = [(4, rejected.id)]
        with self.assertRaises(UserError), self.env.cr.savepoint():
            self.close(task)
        second.photo_ids = [(4, self.accepted_photo(self.after).id)]
        self.close(task)
        self.assertEqual(task.state, "1_done")

    def test_verifying_the_defect_needs_the_after_photo_whatever_its_category(self):
        category = self.Category.create({"name": "Graffiti", "code": "graffiti_test"})
        self.assertFalse(category.verify_stage_ids)
        defect = self.confirmed(IN_NORTH, category_id=category.id, uom_id=False, quantity=0)
        defect.write({"state": "repaired"})
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            defect.with_user(self.reviewer).action_verify()
        self.assertIn("After", str(caught.exception))
        defect.photo_ids = [(4, self.accepted_photo(self.after).id)]
        defect.with_user(self.reviewer).action_verify()
        self.assertEqual(defect.state, "verified")
