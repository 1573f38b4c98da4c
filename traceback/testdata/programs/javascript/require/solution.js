const helper = require('./learner-helper.js');
module.exports = { solve: helper.solve };
