from kpidesign import edits
from kpidesign.model import new_workshop
from kpidesign.progress import step_status, steps_done


def test_empty_workshop_has_nothing_done():
    statuses = step_status(new_workshop("t"))
    assert [s.done for s in statuses] == [False] * 5
    assert "need_kgi_name" in statuses[0].missing


def test_the_template_is_complete(template):
    assert steps_done(template) == 5


def test_steps_follow_the_work(ec):
    assert step_status(ec)[1].done  # three factors under the KGI
    assert not step_status(ec)[2].done  # only two levels below the KGI
    ws = edits.set_field(ec, "sales", "why", "because")
    assert "need_why" not in step_status(ws)[0].missing
