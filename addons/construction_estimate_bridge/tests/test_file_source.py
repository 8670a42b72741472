import os
import shutil
import tempfile

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import BASE_ROWS, EstimateBridgeCase, row, to_csv


@tagged("post_install", "-at_install")
class TestEstimateFileSource(EstimateBridgeCase):
    """An estimating platform that only exports files: its folder below the
    administrator's root, watched by the scheduled action; each export a new
    revision of its estimate, once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root = cls.file_source_root("bidmaster/exports")
        cls.system = cls.env["construction.sync.system"].create(
            {"name": "BidMaster files", "code": "bidmaster_files", "kind": "estimating"}
        )
        cls.Source = cls.env["construction.sync.file.source"]
        cls.source = cls.Source.create(
            {
                "name": "BidMaster exports",
                "system_id": cls.system.id,
                "folder": "bidmaster/exports",
                "file_kind": "estimate",
                "estimate_profile_id": cls.profile.id,
                "estimate_project_id": cls.project.id,
            }
        )
        cls.folder = os.path.join(cls.root, "bidmaster", "exports")

    def setUp(self):
        super().setUp()
        # the folder is real: each test starts from an empty one
        shutil.rmtree(self.folder)
        os.makedirs(self.folder)

    def drop(self, name, content):
        with open(os.path.join(self.folder, name), "wb") as handle:
            handle.write(content)

    def scan(self):
        """The scheduled action, then the transaction's commit (which moves
        the files aside)."""
        self.Source._cron_scan()
        self.env.cr.postcommit.run()

    def listing(self, where=""):
        return sorted(os.listdir(os.path.join(self.folder, where)))

    def test_an_estimate_export_dropped_in_the_folder_becomes_a_new_revision_once(self):
        self.drop("MALL-LOT__2026-11-02.csv", to_csv(BASE_ROWS))
        self.scan()
        first = self.Estimate.search([("external_ref", "=", "MALL-LOT")])
        self.assertEqual((len(first), first.revision, first.project_id), (1, 1, self.project))
        self.assertEqual(first.system_id, self.system)
        self.assertAlmostEqual(first.amount_total, 9000 + 1000 + 600)

        # the next export: one line changed, one added
        rows = [*BASE_ROWS[:3], row("L3", "01 55 26", 12, "Hours", 60, "Traffic control")]
        rows.append(row("L5", "321216", 10, "t", 95, "Patching"))
        content = to_csv(rows)
        self.drop("MALL-LOT__2026-11-09.csv", content)
        self.scan()
        second = self.Estimate.search([("external_ref", "=", "MALL-LOT"), ("revision", "=", 2)])
        self.assertEqual(second.previous_revision_id, first)
        self.assertEqual(first.state, "superseded")
        self.assertIn(
            "1 added, 1 removed, 1 changed lines",
            second.message_ids[:1].body,
            "the revision's diff",
        )
        files = self.source.file_ids.sorted("id")
        self.assertEqual(files.mapped("state"), ["done", "done"])
        self.assertEqual(files[1].result_name, second.display_name)
        self.assertEqual(self.listing(), ["processed"], "imported files are moved aside")
        self.assertEqual(len(self.listing("processed")), 2)

        # the same file again, under another name: nothing
        self.drop("MALL-LOT__2026-11-09-resent.csv", content)
        self.scan()
        self.assertEqual(self.Estimate.search_count([("external_ref", "=", "MALL-LOT")]), 2)
        self.assertEqual(len(self.source.file_ids), 2)
        self.assertEqual(len(self.listing("processed")), 3)

    def test_a_bad_export_leaves_a_reviewable_error_and_nothing_half_imported(self):
        rows = [*BASE_ROWS, row("L9", "99 99 99", 5, "t", 10, "Unknown code")]
        self.drop("MALL-LOT__bad.csv", to_csv(rows))
        self.scan()
        self.assertFalse(self.Estimate.search([("external_ref", "=", "MALL-LOT")]))
        failed = self.source.file_ids
        self.assertEqual(failed.state, "failed")
        self.assertIn("Nothing was imported", failed.error)
        self.assertIn("99 99 99", failed.error)
        self.assertEqual(self.listing("failed"), [f"{failed.sha256[:12]}-MALL-LOT__bad.csv"])
        self.assertEqual(self.source.failed_count, 1)

    def test_a_file_still_being_written_or_not_matching_is_left_alone(self):
        self.drop(".MALL-LOT.csv.part", to_csv(BASE_ROWS))
        self.drop("notes.txt", b"not an export")
        self.scan()
        self.assertFalse(self.source.file_ids)
        self.assertEqual(self.listing(), [".MALL-LOT.csv.part", "notes.txt"])


@tagged("post_install", "-at_install")
class TestFileSourceAbuse(EstimateBridgeCase):
    """A file source reads only below the root an Odoo administrator set:
    no absolute path, no way up, no link out, and only a Construction
    administrator points one at a folder."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root = cls.file_source_root("drops")
        cls.outside = tempfile.mkdtemp(prefix="construction-outside-")
        cls.addClassCleanup(shutil.rmtree, cls.outside)
        cls.system = cls.env["construction.sync.system"].create(
            {"name": "BidMaster files", "code": "bidmaster_files", "kind": "estimating"}
        )

    def source_vals(self, folder):
        return {
            "name": "Exports",
            "system_id": self.system.id,
            "folder": folder,
            "file_kind": "estimate",
            "estimate_profile_id": self.profile.id,
            "estimate_project_id": self.project.id,
        }

    def test_a_folder_outside_the_root_is_refused(self):
        os.symlink(self.outside, os.path.join(self.root, "escape"))
        for folder in (
            self.outside,
            "../" + os.path.basename(self.outside),
            "drops/../..",
            "escape",
            "escape/sub",
            "~root",
            ".",
        ):
            with self.subTest(folder=folder), self.assertRaises(ValidationError):
                self.env["construction.sync.file.source"].create(self.source_vals(folder))

    def test_without_a_root_no_folder_can_be_set(self):
        self.env["ir.config_parameter"].set_param("construction_sync.file_source_root", "")
        with self.assertRaises(ValidationError):
            self.env["construction.sync.file.source"].create(self.source_vals("drops"))

    def test_a_link_dropped_in_the_folder_is_never_followed(self):
        secret = os.path.join(self.outside, "secret.csv")
        with open(secret, "wb") as handle:
            handle.write(to_csv(BASE_ROWS))
        os.symlink(secret, os.path.join(self.root, "drops", "linked.csv"))
        source = self.env["construction.sync.file.source"].create(self.source_vals("drops"))
        source._scan()
        self.env.cr.postcommit.run()
        self.assertFalse(source.file_ids)
        self.assertFalse(self.Estimate.search([("project_id", "=", self.project.id)]))
        self.assertTrue(os.path.islink(os.path.join(self.root, "drops", "linked.csv")))

    def test_only_a_construction_administrator_points_a_source_at_a_folder(self):
        source = self.env["construction.sync.file.source"].create(self.source_vals("drops"))
        for role in ("sync_manager", "controller", "estimator"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                source.with_user(self.users[role]).folder = "drops/other"
        os.makedirs(os.path.join(self.root, "drops", "other"))
        source.with_user(self.users["administrator"]).folder = "drops/other"
        self.assertEqual(source.folder, "drops/other")
