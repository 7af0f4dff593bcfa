#pragma once
// How much of an event a subscriber receives, by who they are (README,
// "Live"), by the same rules as the reads (auth/policy.h):
// - admin (who is IT staff too): every event, with the address the
//   request came from;
// - staff (agents, dispatchers): every event, without that address;
// - employee: the events of tickets they reported in their own
//   municipality, never an internal note;
// - dashboard (an account that is neither staff nor employee: a screen,
//   or an admin who is not staff): the events of tickets as figures (the
//   ticket's summary without its reporter, the body without its text, no
//   actor), and the rota's and staff's changes.
// An event is rendered once per view (Render) and the text shared by
// every subscriber of that view. Pure; any thread.

#include <string>
#include <string_view>

#include "daemon/auth/principal.h"
#include "proto/helpdesk.pb.h"

namespace helpdesk::live {

enum class View { kAdmin, kStaff, kEmployee, kDashboard };
inline constexpr int kViews = 4;

View ViewOf(const auth::Principal& who);
std::string_view ViewName(View view);

// Whether `who`, seeing through `view`, may receive `e`.
bool MaySee(View view, const auth::Principal& who, const v1::Event& e);

// The event as `view` shows it: what an employee may not see of a ticket
// dropped, a dashboard's reduced to figures.
v1::Event Shown(View view, const v1::Event& e);
// Shown, as JSON (the same as GET /api/v1/events gives).
std::string Render(View view, const v1::Event& e);

// A ticket row of a snapshot as `view` shows it (a dashboard's without
// its reporter).
void Reduce(View view, v1::TicketSummary& ticket);

}  // namespace helpdesk::live
