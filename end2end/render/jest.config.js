// Render tests of generated mini programs in miniprogram-simulate (jsdom).
module.exports = { rootDir: __dirname, testEnvironment: "jsdom", transform: {}, testTimeout: 30000 };
