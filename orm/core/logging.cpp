#include "orm/core/logging.h"

namespace orm {

Q_LOGGING_CATEGORY(lcDatabase, "strata.orm.database", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRegistry, "strata.orm.registry", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRunSync, "strata.orm.runsync", QtInfoMsg)

} // namespace orm
