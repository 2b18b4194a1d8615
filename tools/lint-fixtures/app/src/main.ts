export const fixtureAppName = 'lint-fixture-app';
