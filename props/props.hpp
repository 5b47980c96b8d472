// The property suite in one include: the generated world, the reference model, the commands,
// the harness that runs them through the scenario player, and the lifecycle property runner.
#pragma once

#include "props/case_world.hpp"
#include "props/client_property.hpp"
#include "props/commands.hpp"
#include "props/harness.hpp"
#include "props/lifecycle.hpp"
#include "props/model.hpp"
#include "scenario/player.hpp"
