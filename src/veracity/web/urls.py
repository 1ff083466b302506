from django.contrib.auth import views as auth_views
from django.urls import path

from veracity.web.forms import LoginForm
from veracity.web.views import compliance as compliance_views
from veracity.web.views import (
    access,
    account,
    applications,
    audit,
    cases,
    complaints,
    customers,
    home,
    incidents,
    notifications,
    penalties,
    picker,
    problems,
    regulator,
    retention,
    sellers,
)

app_name = "web"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/code/", account.two_factor_verify, name="two_factor_verify"),
    path("account/two-factor/", account.two_factor_enrol, name="two_factor_enrol"),
    path("account/password/", account.PasswordChange.as_view(), name="password_change"),
    path("", home.home, name="home"),
    path("customers/", customers.search, name="customer_search"),
    path("customers/pick/", picker.pick, name="customer_pick"),
    path("customers/<int:customer_id>/", customers.detail, name="customer_detail"),
    path("customers/<int:customer_id>/suspicion/", customers.suspicion, name="customer_suspicion"),
    path("customers/<int:customer_id>/unmask/", customers.unmask, name="customer_unmask"),
    path("customers/<int:customer_id>/classify/", customers.classify, name="customer_classify"),
    path("access/", access.requests_index, name="access_requests"),
    path("access/new/", access.request_new, name="access_request_new"),
    path("access/<int:pk>/", access.request_detail, name="access_request"),
    path("access/register/", access.register, name="access_register"),
    path("access/grants/<int:grant_id>/return/", access.grant_return, name="grant_return"),
    path("applications/", applications.index, name="applications"),
    # By primary key: a stored application number (whatever it holds) never has to fit a URL.
    path("applications/<int:policy_id>/", applications.detail, name="application_detail"),
    path("problems/", problems.index, name="problems"),
    path("problems/export.xlsx", problems.export, name="problems_export"),
    path("problems/runs/", problems.runs, name="problem_runs"),
    path("problems/queue/", cases.queue, name="case_queue"),
    path("problems/queue/filters/", cases.queue_filter_save, name="case_queue_filter_save"),
    path(
        "problems/queue/filters/<int:filter_id>/delete/",
        cases.queue_filter_delete,
        name="case_queue_filter_delete",
    ),
    path("problems/overdue/", cases.overdue, name="case_overdue"),
    path("problems/<int:item_id>/", cases.detail, name="case_detail"),
    path(
        "problems/<int:item_id>/evidence/<int:evidence_id>/",
        cases.evidence,
        name="case_evidence",
    ),
    path("problems/<int:item_id>/<slug:step>/", cases.act, name="case_act"),
    path("audit/", audit.index, name="audit"),
    path("audit/export.<slug:fmt>", audit.export, name="audit_export"),
    path("audit/verify/", audit.verify, name="audit_verify"),
    path("audit/people/", audit.people, name="audit_people"),
    path("audit/verification/", audit.verification, name="audit_verification"),
    path("incidents/", incidents.index, name="incidents"),
    path("incidents/report/", incidents.report, name="incident_report"),
    path("incidents/<int:incident_id>/", incidents.detail, name="incident_detail"),
    path("incidents/<int:incident_id>/reported/", incidents.reported, name="incident_reported"),
    path("incidents/<int:incident_id>/<slug:step>/", incidents.act, name="incident_act"),
    path("notifications/", notifications.index, name="notifications"),
    path("notifications/read/", notifications.mark_read, name="notifications_read"),
    path(
        "notifications/<int:notification_id>/open/",
        notifications.open_link,
        name="notification_open",
    ),
    path("retention/", retention.index, name="retention"),
    path("retention/due/", retention.due, name="retention_due"),
    path("retention/holds/", retention.holds, name="retention_holds"),
    path("retention/holds/place/", retention.hold_place, name="retention_hold_place"),
    path("retention/holds/<int:hold_id>/lift/", retention.hold_lift, name="retention_hold_lift"),
    path("retention/requests/", retention.requests, name="retention_requests"),
    path("retention/requests/new/", retention.request_submit, name="retention_request_submit"),
    path(
        "retention/requests/<int:request_id>/",
        retention.request_detail,
        name="retention_request",
    ),
    path(
        "retention/requests/<int:request_id>/approve/",
        retention.request_approve,
        name="retention_request_approve",
    ),
    path(
        "retention/requests/<int:request_id>/reject/",
        retention.request_reject,
        name="retention_request_reject",
    ),
    path(
        "retention/requests/<int:request_id>/execute/",
        retention.request_execute,
        name="retention_request_execute",
    ),
    path("retention/certificates/", retention.certificates, name="retention_certificates"),
    path(
        "retention/certificates/<int:certificate_id>/",
        retention.certificate_detail,
        name="retention_certificate",
    ),
    path("retention/inspections/", retention.inspections, name="retention_inspections"),
    path(
        "retention/inspections/run/",
        retention.inspection_start,
        name="retention_inspection_run",
    ),
    path(
        "retention/inspections/<int:inspection_id>/",
        retention.inspection_detail,
        name="retention_inspection",
    ),
    # --- the seller register and training (SF-1, SD-2)
    path("sellers/", sellers.index, name="sellers"),
    path("sellers/<int:seller_id>/", sellers.detail, name="seller"),
    path(
        "sellers/<int:seller_id>/relatives/",
        sellers.relative_add,
        name="seller_relative_add",
    ),
    path("training/", sellers.training, name="training"),
    # --- complaints and the second callbacks of a re-check (SF-2, SD-4) ---
    path("complaints/", complaints.index, name="complaints"),
    path("complaints/new/", complaints.new, name="complaint_new"),
    path("complaints/<int:complaint_id>/", complaints.detail, name="complaint_detail"),
    path(
        "problems/<int:item_id>/callbacks/record/",
        complaints.callback,
        name="case_callback",
    ),
    # --- penalties and assessment (issue 13: D1.14, D1.22, D1.23)
    path("penalties/", penalties.index, name="penalties"),
    path("penalties/new/", penalties.new, name="penalty_new"),
    path("penalties/<int:penalty_id>/", penalties.detail, name="penalty"),
    path("penalties/<int:penalty_id>/<slug:step>/", penalties.act, name="penalty_act"),
    path("assessment/", penalties.assessment, name="assessment"),
    path("assessment/export.xlsx", penalties.assessment_download, name="assessment_export"),
    # --- the quarterly regulator report (D1.22, D1.23, D4.13) ---------------------------
    path("regulator-reports/", regulator.reports, name="regulator_reports"),
    path("regulator-reports/prepare/", regulator.prepare, name="regulator_report_prepare"),
    path("regulator-reports/<int:report_id>/", regulator.report_detail, name="regulator_report"),
    path(
        "regulator-reports/<int:report_id>/review/",
        regulator.review,
        name="regulator_report_review",
    ),
    path(
        "regulator-reports/<int:report_id>/correct/",
        regulator.correct,
        name="regulator_report_correct",
    ),
    path(
        "regulator-reports/<int:report_id>/filings/",
        regulator.file,
        name="regulator_report_file",
    ),
    path(
        "regulator-reports/<int:report_id>/download/",
        regulator.download,
        name="regulator_report_download",
    # --- compliance actions (SF-6, D1.24): criticism, rectification demands, referrals
    path("compliance/", compliance_views.index, name="compliance_actions"),
    path("compliance/new/", compliance_views.record, name="compliance_action_new"),
    path(
        "compliance/sellers/",
        compliance_views.seller_options,
        name="compliance_seller_options",
    ),
    path(
        "compliance/<int:action_id>/", compliance_views.detail, name="compliance_action"
    ),
    path(
        "compliance/<int:action_id>/<slug:step>/",
        compliance_views.act,
        name="compliance_act",
    ),
]
