#pragma once

// The ORM's logging categories, in one place so that every layer can log under the name users
// filter by (QT_LOGGING_RULES="strata.orm.*=true") without depending on the layer that owns it.

#include <QLoggingCategory>

namespace orm {

Q_DECLARE_LOGGING_CATEGORY(lcDatabase) // strata.orm.database: connects, pools, slow paths
Q_DECLARE_LOGGING_CATEGORY(lcRegistry) // strata.orm.registry: connect outcomes, reflection
Q_DECLARE_LOGGING_CATEGORY(lcRunSync)  // strata.orm.runsync: subloops, timeouts

} // namespace orm
